# Routines written for a migration runner, without DELIMITER.
CREATE TABLE counters (name VARCHAR(32) PRIMARY KEY, n INT NOT NULL DEFAULT 0);

CREATE PROCEDURE bump(IN p_name VARCHAR(32), IN times INT)
BEGIN
  DECLARE i INT DEFAULT 0;
  DECLARE CONTINUE HANDLER FOR SQLEXCEPTION
  BEGIN
    ROLLBACK;
  END;
  IF NOT EXISTS (SELECT 1 FROM counters WHERE name = p_name) THEN
    INSERT INTO counters (name) VALUES (p_name);
  END IF;
  bump_loop: WHILE i < times DO
    UPDATE counters SET n = n + 1 WHERE name = p_name;
    SET i = i + 1;
    IF i % 10 = 0 THEN ITERATE bump_loop; END IF;
  END WHILE bump_loop;
  SELECT CASE WHEN times > 0 THEN IF(times > 1, 'many', 'one') ELSE 'none' END AS kind,
         REPEAT('*', times) AS bar;
END;

CREATE FUNCTION label_for(n INT) RETURNS VARCHAR(8) DETERMINISTIC
BEGIN
  DECLARE out_label VARCHAR(8);
  CASE
    WHEN n < 10 THEN SET out_label = 'low';
    WHEN n < 100 THEN SET out_label = 'mid';
    ELSE SET out_label = 'high';
  END CASE;
  REPEAT
    SET n = n - 1;
  UNTIL n <= 0 END REPEAT;
  RETURN out_label;
END;

CREATE TRIGGER counters_bu BEFORE UPDATE ON counters
FOR EACH ROW
BEGIN
  IF NEW.n < 0 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'n must not go negative; check callers';
  END IF;
END;

CREATE EVENT reset_counters ON SCHEDULE EVERY 1 DAY DO
  BEGIN
    DELETE FROM counters WHERE n = 0;
    UPDATE counters SET n = 0;
  END;

START TRANSACTION;
CALL bump('visits', 3);
COMMIT;
SELECT label_for(5)--1
;
