-- label: safe
-- source: real migration (okxle/lireddit Migration20230713141801: varchar to text using a cast)
-- why: USING col::text of a varchar is the implicit binary coercion: no rewrite
alter table "products" alter column "name" type text using ("name"::text);
