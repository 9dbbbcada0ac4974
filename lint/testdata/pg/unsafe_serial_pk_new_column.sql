-- expect: add-column-volatile-default add-column-constraint
ALTER TABLE legacy ADD COLUMN id serial PRIMARY KEY;
