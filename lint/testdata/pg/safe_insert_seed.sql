-- expect: none
INSERT INTO plans (name) VALUES ('free'), ('pro') ON CONFLICT DO NOTHING;
