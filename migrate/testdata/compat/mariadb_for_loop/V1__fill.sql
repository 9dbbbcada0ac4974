CREATE TABLE numbers (n INT PRIMARY KEY);
CREATE PROCEDURE fill_numbers()
BEGIN
  FOR i IN 1..3 DO
    INSERT INTO numbers VALUES (i);
  END FOR;
END;
CREATE TABLE after_proc (id INT);
