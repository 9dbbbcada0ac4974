-- label: safe
-- source: Supabase-style migrations
-- why: catalog-only
ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY accounts_owner ON accounts USING (owner_email = current_user);
