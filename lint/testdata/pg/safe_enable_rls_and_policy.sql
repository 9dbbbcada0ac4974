-- expect: none
ALTER TABLE documents ENABLE ROW LEVEL SECURITY;
CREATE POLICY owner_only ON documents USING (owner_id = current_setting('app.user_id')::bigint);
