-- expect: none
CREATE TABLE logs (
  id serial PRIMARY KEY,
  payload json,
  at timestamp DEFAULT now(),
  code varchar(20)
);
