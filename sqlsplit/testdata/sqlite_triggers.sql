-- SQLite: a table, an index and the triggers that keep it honest.
PRAGMA foreign_keys = ON;

CREATE TABLE [order items] (
    id      INTEGER PRIMARY KEY,
    "order" INTEGER NOT NULL REFERENCES orders (id),
    `qty`   INTEGER NOT NULL DEFAULT 1,
    status  TEXT NOT NULL DEFAULT 'new; unpaid'
);

CREATE INDEX items_by_order ON [order items] ("order");

CREATE TRIGGER items_status AFTER UPDATE OF qty ON [order items]
WHEN NEW.qty <> OLD.qty
BEGIN
    UPDATE [order items]
       SET status = CASE WHEN NEW.qty = 0 THEN 'empty' ELSE 'changed' END
     WHERE id = NEW.id;
    INSERT INTO audit (note) VALUES ('qty changed; see items');
END;

CREATE TEMP TRIGGER IF NOT EXISTS items_guard BEFORE DELETE ON [order items]
BEGIN
    SELECT RAISE(ABORT, 'delete; not allowed');
END;

BEGIN IMMEDIATE;
UPDATE [order items] SET qty = 2 WHERE id = 1;
END TRANSACTION;
