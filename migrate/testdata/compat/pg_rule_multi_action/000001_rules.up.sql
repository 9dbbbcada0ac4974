CREATE TABLE orders (id int PRIMARY KEY, total numeric);
CREATE TABLE orders_log (order_id int, what text);
-- A rule with several actions: the ";" inside the parentheses do not end the statement.
CREATE RULE orders_log_ins AS ON INSERT TO orders DO ALSO (
    INSERT INTO orders_log VALUES (NEW.id, 'created');
    INSERT INTO orders_log VALUES (NEW.id, 'audited')
);
