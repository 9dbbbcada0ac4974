-- expect: detach-partition-non-concurrent
ALTER TABLE events DETACH PARTITION events_2019;
