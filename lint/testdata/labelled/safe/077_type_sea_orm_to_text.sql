-- label: safe
-- source: real migration (sea_orm migration altering metadata columns to text)
-- why: varchar to text, text to text: no rewrite
alter table accounts
    alter column slug type text,
    alter column owner_email type text
;
