# Mirrors the npm scripts (05 §1).
.PHONY: install start test generate lint docs bench seed migrate typecheck

install:
	npm install
start:
	npm start
test:
	npm test
generate:
	npm run generate
lint:
	npm run lint:api
docs:
	npm run docs
bench:
	npm run bench
seed:
	npm run seed
migrate:
	npm run migrate
typecheck:
	npm run typecheck
