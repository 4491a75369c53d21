{#- One row per legal entity (NetSuite subsidiary) with its conformed legal_entity_key: the entity code CRM
    and PSA share, else 'SUB-<subsidiary id>', and its functional currency. The single definition that
    dim_legal_entity (which adds the unknown member '-1') and every intermediate model read, so the
    intermediate layer never depends on a mart. -#}

with subsidiaries as (
    select * from {{ throughline.erp_input('subsidiaries') }}
),

currencies as (
    select currency_id, currency_code from {{ throughline.erp_input('currencies') }}
)

select
    cast(coalesce(s.legal_entity_code, {{ dbt.concat(["'SUB-'", 's.subsidiary_id']) }}) as {{ dbt.type_string() }})
        as legal_entity_key,
    s.subsidiary_id as erp_subsidiary_id,
    s.legal_entity_code,
    s.subsidiary_name as legal_entity_name,
    s.legal_name,
    s.country_code,
    c.currency_code as functional_currency_code,
    s.parent_subsidiary_id as erp_parent_subsidiary_id,
    coalesce(s.is_elimination, false) as is_elimination,
    coalesce(s.is_inactive, false) as is_inactive
from subsidiaries as s
left join currencies as c on s.currency_id = c.currency_id
