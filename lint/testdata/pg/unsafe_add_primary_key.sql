-- expect: add-primary-key
ALTER TABLE events ADD PRIMARY KEY (id);
