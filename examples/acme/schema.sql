-- acme's tables, created when the database is new.

CREATE TABLE users (
  login TEXT PRIMARY KEY,
  password TEXT NOT NULL,                -- a bcrypt hash, never the password
  employee BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE store (
  sid INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);

-- who holds which role in which store: store_perms(login, sid, role)
CREATE TABLE store_role (
  login TEXT NOT NULL REFERENCES users,
  sid INTEGER NOT NULL REFERENCES store,
  role TEXT NOT NULL,                    -- 'manager'
  PRIMARY KEY (login, sid, role)
);

-- the quantity of each product that each store holds
CREATE TABLE product (
  sid INTEGER NOT NULL REFERENCES store,
  product TEXT NOT NULL,
  quantity INTEGER NOT NULL,
  PRIMARY KEY (sid, product)
);
