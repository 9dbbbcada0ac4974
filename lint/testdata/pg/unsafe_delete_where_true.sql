-- expect: delete-without-where
DELETE FROM events WHERE true;
