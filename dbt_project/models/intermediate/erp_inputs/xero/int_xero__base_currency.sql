-- The organisation's base (functional) currency, one row: what Xero's organisation record says, else var
-- xero_base_currency, else the currency of the most documents booked at rate 1 (a document in the base
-- currency always has currency_rate 1; Fivetran's cut-down seed export has no base_currency).
{%- set configured = var('xero_base_currency') %}
with at_par as (
    select currency_code, count(*) as documents
    from {{ ref('stg_xero__invoices') }}
    where currency_rate = 1 and currency_code is not null
    group by currency_code
),

inferred as (
    select min(currency_code) as currency_code
    from at_par
    where documents = (select max(a.documents) from at_par as a)
),

organisation as (
    select max(base_currency_code) as currency_code from {{ ref('stg_xero__organizations') }}
)

select
    cast(coalesce(
        (select currency_code from organisation),
        {{ dbt.string_literal(configured | upper) if configured else 'cast(null as ' ~ dbt.type_string() ~ ')' }},
        (select currency_code from inferred)
    ) as {{ dbt.type_string() }}) as base_currency_code
