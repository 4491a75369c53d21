-- Legal entities (NetSuite subsidiaries) keyed by the entity code CRM and PSA share (int_legal_entities_resolved),
-- plus an unknown member.
select
    legal_entity_key,
    erp_subsidiary_id,
    legal_entity_code,
    legal_entity_name,
    legal_name,
    country_code,
    functional_currency_code,
    erp_parent_subsidiary_id,
    is_elimination,
    is_inactive,
    false as is_unknown
from {{ ref('int_legal_entities_resolved') }}

union all

select
    '-1', null, null, 'Unknown', 'Unknown legal entity', null, null, null, false, false, true
