CREATE TABLE anchor (id INT);
