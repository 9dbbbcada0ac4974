-- expect: add-primary-key
ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY (id);
