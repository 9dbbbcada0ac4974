-- expect: add-column-volatile-default add-column-constraint
ALTER TABLE documents ADD COLUMN uid uuid PRIMARY KEY DEFAULT gen_random_uuid();
