-- expect: mysql-explicit-lock
ALTER TABLE users ADD COLUMN bio TEXT, ALGORITHM=COPY;
