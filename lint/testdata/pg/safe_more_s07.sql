-- expect: none
INSERT INTO settings (key, value) VALUES ('feature_x', 'on');
UPDATE settings SET value = 'off' WHERE key = 'feature_y';
