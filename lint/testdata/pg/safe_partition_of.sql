-- expect: none
CREATE TABLE events_2028 PARTITION OF events FOR VALUES FROM ('2028-01-01') TO ('2029-01-01');
CREATE INDEX ON events_2028 (created_at);
