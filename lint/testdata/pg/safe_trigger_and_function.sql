-- expect: none
-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION sync_name() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.full_name := NEW.first_name || ' ' || NEW.last_name;
  RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER users_sync BEFORE INSERT OR UPDATE ON users FOR EACH ROW EXECUTE FUNCTION sync_name();
