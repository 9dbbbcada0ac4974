-- expect: none
ALTER TABLE plans ADD COLUMN tier int;
UPDATE plans SET tier = 1 WHERE name = 'free';
