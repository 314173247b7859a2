-- Every contract read is scoped to the caller's organisation: commissioners list theirs by commissioner_id, and
-- providers find theirs through contract_providers by provider_id. Without these, both scan the whole table.
CREATE INDEX ix_contracts_commissioner ON contracts (commissioner_id, created_at);
CREATE INDEX ix_contract_providers_provider ON contract_providers (provider_id, contract_id);
