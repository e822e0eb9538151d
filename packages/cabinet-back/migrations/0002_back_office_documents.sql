-- cabinet-back: the back office's queues of contract applications and requests (обращения), their
-- threads and files, the documents issued for signature and the signatures the cabinet sent. The LAN
-- side keeps these in clear (as link_requests): it is the supplier's own system of record.

create table applications (
  id uuid primary key,                 -- the front's application id
  user_ref text not null,
  consumer_ref text,
  applicant jsonb not null,            -- kind, name, inn, ogrn, snils, email, phone as the consumer wrote them
  applicant_name text not null,
  object_address text not null,
  requested_power_kw numeric(10, 3) not null,
  comment text,
  status text not null check (status in ('submitted', 'in_review', 'needs_info', 'contract_issued', 'signed', 'rejected', 'withdrawn')),
  -- every change numbered: the front keeps the newest
  seq integer not null default 1,
  assigned_to text,
  status_note text,
  submitted_at timestamptz not null,
  updated_at timestamptz not null default now(),
  received_at timestamptz not null default now()
);
create index applications_queue on applications (status, submitted_at);

create table requests (
  id uuid primary key,                 -- the front's request id
  user_ref text not null,
  consumer_ref text,
  kind text not null check (kind in ('correct_details', 'terminate_contract', 'meter_replacement', 'free_form', 'support')),
  subject text not null,
  text text not null,
  fields jsonb not null,
  author_name text not null,
  author_contact text not null,
  status text not null check (status in ('new', 'in_progress', 'needs_info', 'answered', 'closed')),
  seq integer not null default 1,
  assigned_to text,
  created_at timestamptz not null,
  updated_at timestamptz not null default now()
);
create index requests_queue on requests (status, created_at);
create index requests_by_kind on requests (kind, status);

-- Both threads in one table: thread_kind says whose.
create table thread_messages (
  id uuid primary key,
  thread_kind text not null check (thread_kind in ('application', 'request')),
  thread_id uuid not null,
  author text not null check (author in ('consumer', 'supplier')),
  author_name text,
  text text not null,
  created_at timestamptz not null
);
create index thread_messages_thread on thread_messages (thread_kind, thread_id, created_at);

create table back_attachments (
  id uuid primary key,
  owner_kind text not null check (owner_kind in ('application', 'request', 'message')),
  owner_id uuid not null,
  direction text not null check (direction in ('consumer', 'supplier')),
  file_name text not null,
  media_type text not null,
  size_bytes integer not null,
  sha256 text not null,
  content bytea not null,
  created_at timestamptz not null default now()
);
create index back_attachments_owner on back_attachments (owner_kind, owner_id);

create table documents (
  id uuid primary key,
  application_id uuid not null references applications (id),
  kind text not null check (kind in ('contract', 'agreement')),
  number text not null unique,
  title text not null,
  file_name text not null,
  sha256 text not null,
  pdf bytea not null,
  allow_simple_signature boolean not null,
  status text not null default 'issued' check (status in ('issued', 'signed')),
  issued_by text not null,
  issued_at timestamptz not null,
  signed_at timestamptz
);
create index documents_by_application on documents (application_id);
create sequence document_numbers;

create table signatures (
  id uuid primary key,                 -- the front's signature id
  document_id uuid not null references documents (id),
  application_id uuid not null references applications (id),
  user_ref text not null,
  signed_by jsonb not null,
  method text not null check (method in ('cms', 'simple')),
  algorithm text not null,
  signature bytea,
  report jsonb not null,
  signed_at timestamptz not null,
  received_at timestamptz not null default now()
);
create index signatures_by_document on signatures (document_id, signed_at);
