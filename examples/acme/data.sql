-- acme's seed data, loaded with schema.sql when the database is new.
-- bcrypt() is a function that src/db.rs defines while seeding: passwords
-- are hashed before they are stored, in the same transaction.

INSERT INTO store (sid, name) VALUES
  (1, 'Downtown'),
  (2, 'Uptown'),
  (3, 'Harbor');

INSERT INTO users (login, password, employee) VALUES
  ('calvin', bcrypt('hobbes-rules'), TRUE),
  ('hobbes', bcrypt('tiger-power'), TRUE),
  ('susie', bcrypt('derkins-123'), FALSE);

INSERT INTO store_role (login, sid, role) VALUES
  ('calvin', 1, 'manager'),
  ('hobbes', 2, 'manager'),
  ('susie', 3, 'manager');
