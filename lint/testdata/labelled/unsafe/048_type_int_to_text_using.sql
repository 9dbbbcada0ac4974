-- label: unsafe
-- source: real migration (drizzle script altering next_page to TEXT)
-- why: int to text converts every value: rewrite
ALTER TABLE orders ALTER COLUMN amount_cents TYPE text USING amount_cents::text;
