-- Representatives: an owner invites someone by e-mail to act for a consumer with chosen rights.
-- The e-mail carries a one-time token; only its sha-256 is kept. The address is personal data (encrypted).
create table invitations (
  id uuid primary key,
  consumer_ref text not null,
  email_enc text not null,
  rights text[] not null check (rights <@ array['view', 'submit_readings', 'pay', 'sign']::text[] and 'view' = any(rights)),
  token_hash text not null unique,
  invited_by uuid not null references users (id) on delete cascade,
  status text not null default 'pending' check (status in ('pending', 'accepted', 'revoked')),
  expires_at timestamptz not null,
  accepted_by uuid references users (id) on delete set null,
  decided_at timestamptz,
  created_at timestamptz not null default now()
);
create index invitations_consumer on invitations (consumer_ref, created_at desc);

-- The consumer's history: who did what, when, for every state-changing call that succeeded.
-- Written centrally (members/history.ts) for every route, not by each route.
create table consumer_actions (
  id bigserial primary key,
  consumer_ref text not null,
  user_id uuid,
  role text not null,
  action text not null,
  method text not null,
  route text not null,
  status integer not null,
  request_id text,
  at timestamptz not null default now()
);
create index consumer_actions_consumer on consumer_actions (consumer_ref, at desc, id desc);
