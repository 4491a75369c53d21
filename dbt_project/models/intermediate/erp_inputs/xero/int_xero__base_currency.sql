-- The base (functional) currency of each Xero organisation (source_relation), one row each: what the
-- organisation record says, else var xero_base_currency, else the currency of the most documents booked at
-- rate 1 (a document in the base currency always has currency_rate 1; Fivetran's cut-down seed export has no
-- base_currency). Every organisation that has a record, an invoice or a journal has a row.
{%- set configured = var('xero_base_currency') %}
with relations as (
    select source_relation from {{ ref('stg_xero__organizations') }}
    union
    select source_relation from {{ ref('stg_xero__invoices') }}
    union
    select source_relation from {{ ref('stg_xero__journals') }}
),

at_par as (
    select source_relation, currency_code, count(*) as documents
    from {{ ref('stg_xero__invoices') }}
    where currency_rate = 1 and currency_code is not null
    group by source_relation, currency_code
),

inferred as (
    select source_relation, min(currency_code) as currency_code
    from (
        select *, max(documents) over (partition by source_relation) as most from at_par
    ) as ranked
    where documents = most
    group by source_relation
),

organisation as (
    select source_relation, max(base_currency_code) as currency_code
    from {{ ref('stg_xero__organizations') }}
    group by source_relation
)

select
    r.source_relation,
    cast(coalesce(
        o.currency_code,
        {{ dbt.string_literal(configured | upper) if configured else 'cast(null as ' ~ dbt.type_string() ~ ')' }},
        i.currency_code
    ) as {{ dbt.type_string() }}) as base_currency_code
from relations as r
left join organisation as o on o.source_relation = r.source_relation
left join inferred as i on i.source_relation = r.source_relation
