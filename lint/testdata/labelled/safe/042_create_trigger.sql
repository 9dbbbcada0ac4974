-- label: safe
-- source: any migration directory
-- why: SHARE ROW EXCLUSIVE on orders for an instant
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.placed_at := coalesce(NEW.placed_at, now()); RETURN NEW; END $$;
CREATE TRIGGER orders_touch BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION touch();
