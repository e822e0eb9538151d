-- Reading uploads may be 80020 XML files as well as the Excel template (issue 11): the format of each upload.
-- For an 80020 file the per-problem errors keep the same shape: `sheet` is the measuring point's code (or
-- "80020" for the file), `cell` the line and column ("L12:C9").
alter table reading_uploads add column format text not null default 'xlsx' check (format in ('xlsx', '80020'));
