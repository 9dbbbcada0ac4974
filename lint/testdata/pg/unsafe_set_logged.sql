-- expect: table-rewrite
ALTER TABLE import_rows SET LOGGED;
