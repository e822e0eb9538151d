-- cabinet-front: contract applications, requests (обращения), their threads and attachments, the
-- documents issued for signature and their signatures, and the e-mail notifications of every change.
-- Personal data (names, INN/OGRN/SNILS, addresses, texts, files, signatures) is encrypted per field
-- (crypto/encrypted-columns.ts); what stays in clear is ids, statuses, kinds, sizes and digests.

-- One-time codes also confirm a simple electronic signature.
alter table otp_challenges drop constraint otp_challenges_purpose_check;
alter table otp_challenges add constraint otp_challenges_purpose_check check (purpose in ('register', 'reset', 'sign'));

create table applications (
  id uuid primary key,
  user_id uuid not null references users (id) on delete cascade,
  consumer_ref text,
  status text not null default 'draft'
    check (status in ('draft', 'submitted', 'in_review', 'needs_info', 'contract_issued', 'signed', 'rejected', 'withdrawn')),
  -- the back's change number last applied: a status event applies only when newer
  seq integer not null default 0,
  status_note_enc text,
  applicant_kind text not null check (applicant_kind in ('organisation', 'person')),
  applicant_name_enc text not null,
  inn_enc text,
  ogrn_enc text,
  snils_enc text,
  email_enc text,
  phone_enc text,
  object_address_enc text not null,
  requested_power_kw numeric(10, 3) not null check (requested_power_kw > 0),
  comment_enc text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  submitted_at timestamptz
);
create index applications_by_user on applications (user_id, created_at desc);
create index applications_by_consumer on applications (consumer_ref) where consumer_ref is not null;

create table application_messages (
  id uuid primary key,
  application_id uuid not null references applications (id) on delete cascade,
  author text not null check (author in ('consumer', 'supplier')),
  author_name text,
  text_enc text not null,
  created_at timestamptz not null default now()
);
create index application_messages_thread on application_messages (application_id, created_at);

create table requests (
  id uuid primary key,
  user_id uuid not null references users (id) on delete cascade,
  consumer_ref text,
  kind text not null check (kind in ('link_contract', 'correct_details', 'terminate_contract', 'meter_replacement', 'free_form', 'support')),
  status text not null default 'new' check (status in ('new', 'in_progress', 'needs_info', 'answered', 'closed')),
  seq integer not null default 0,
  subject_enc text not null,
  text_enc text not null,
  fields_enc text not null,
  -- a "link my contract" request is the link request of links/ (its status is that one's)
  link_request_id uuid references link_requests (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index requests_by_user on requests (user_id, created_at desc);
create index requests_by_consumer on requests (consumer_ref) where consumer_ref is not null;

create table request_messages (
  id uuid primary key,
  request_id uuid not null references requests (id) on delete cascade,
  author text not null check (author in ('consumer', 'supplier')),
  author_name text,
  text_enc text not null,
  created_at timestamptz not null default now()
);
create index request_messages_thread on request_messages (request_id, created_at);

-- Files both ways. A consumer's upload starts unattached (owner null) and is attached to the
-- application, request or message it is sent with; the supplier's come attached.
create table attachments (
  id uuid primary key,
  user_id uuid not null references users (id) on delete cascade,
  direction text not null check (direction in ('consumer', 'supplier')),
  owner_kind text check (owner_kind in ('application', 'application_message', 'request', 'request_message')),
  owner_id uuid,
  file_name_enc text not null,
  media_type text not null,
  size_bytes integer not null check (size_bytes > 0),
  sha256 text not null,
  content_enc text not null,
  created_at timestamptz not null default now(),
  check ((owner_kind is null) = (owner_id is null))
);
create index attachments_by_owner on attachments (owner_kind, owner_id);
create index attachments_unattached on attachments (user_id) where owner_id is null;

create table documents (
  id uuid primary key,
  application_id uuid not null references applications (id) on delete cascade,
  kind text not null check (kind in ('contract', 'agreement')),
  title text not null,
  file_name text not null,
  sha256 text not null,
  pdf_enc text not null,
  allow_simple_signature boolean not null,
  status text not null default 'issued' check (status in ('issued', 'signed')),
  issued_at timestamptz not null,
  signed_at timestamptz,
  received_at timestamptz not null default now()
);
create index documents_by_application on documents (application_id);

-- Several per document (co-signers); the first makes the document signed.
create table document_signatures (
  id uuid primary key,
  document_id uuid not null references documents (id) on delete cascade,
  user_id uuid not null references users (id),
  method text not null check (method in ('cms', 'simple')),
  algorithm text not null,
  signature_enc text,
  report_enc text not null,
  signed_at timestamptz not null default now()
);
create index document_signatures_by_document on document_signatures (document_id, signed_at);

-- E-mails to send: written in the transaction of the change they announce, sent by notifications/
-- (claim with SKIP LOCKED, retry with back-off). The message is rendered at send time from the rows.
create table notifications (
  id uuid primary key,
  user_id uuid not null references users (id) on delete cascade,
  subject_kind text not null check (subject_kind in ('application', 'request')),
  subject_id uuid not null,
  event text not null,
  status text not null default 'pending' check (status in ('pending', 'sent', 'skipped', 'failed')),
  attempts integer not null default 0,
  next_at timestamptz not null default now(),
  last_error text,
  sent_at timestamptz,
  created_at timestamptz not null default now()
);
create index notifications_due on notifications (next_at) where status = 'pending';
