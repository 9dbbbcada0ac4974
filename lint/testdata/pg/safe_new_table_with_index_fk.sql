-- expect: none
CREATE TABLE invoices (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users (id),
  total numeric(12,2) NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX invoices_user_id_idx ON invoices (user_id);
ALTER TABLE invoices ADD CONSTRAINT invoices_total_pos CHECK (total >= 0);
ALTER TABLE invoices ADD CONSTRAINT invoices_user_uniq UNIQUE (user_id, created_at);
