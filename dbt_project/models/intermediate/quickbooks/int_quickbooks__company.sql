{#- One row per QuickBooks company (realm) as one legal entity, and the default accounts QuickBooks posts to
    when a document does not name one (as QuickBooks and Fivetran's dbt_quickbooks do): the receivable account
    (the first active Accounts Receivable account), undeposited funds for payments without a deposit account,
    the sales tax payable account, and exchange gain or loss for what a foreign payment settles at another
    rate than the invoice's. A single-company export (no source_relation) is one company, subsidiary '1'; a
    multi-company sync has one per source_relation, subsidiary = the source_relation.
    Legal entity code: var quickbooks_legal_entities (source_relation -> code), else the source_relation
    upper-cased, else (one company) var quickbooks_legal_entity. Home currency: var quickbooks_home_currency,
    else the currency most accounts of the company's chart are kept in (a chart is in its home currency except
    its foreign bank and AR accounts), else USD. The base company is the one whose home currency is the
    reporting currency (else the first): the others' parent, and the base of the daily rates. -#}
{%- set entities = var('quickbooks_legal_entities', {}) or {} %}

with accounts as (
    select * from {{ ref('stg_quickbooks__accounts') }}
),

companies as (
    select source_relation from accounts
    union
    select source_relation from {{ ref('stg_quickbooks__customers') }}
    union
    select source_relation from {{ ref('stg_quickbooks__invoices') }}
    union
    select source_relation from {{ ref('stg_quickbooks__payments') }}
    union
    select source_relation from {{ ref('stg_quickbooks__journal_entries') }}
),

chart_currency as (
    select source_relation, currency_code
    from (
        select
            source_relation,
            currency_code,
            row_number() over (partition by source_relation order by count(*) desc, currency_code asc) as rn
        from accounts
        where currency_code is not null
        group by source_relation, currency_code
    ) as c
    where rn = 1
),

defaults as (
    select
        source_relation,
        min(case when account_type = 'Accounts Receivable' and coalesce(is_active, true) then account_id end)
            as ar_account_id,
        min(case when account_sub_type = 'UndepositedFunds' then account_id end) as undeposited_account_id,
        min(case when account_sub_type in ('GlobalTaxPayable', 'SalesTaxPayable') then account_id end)
            as tax_account_id,
        min(case when account_sub_type = 'ExchangeGainOrLoss' then account_id end) as fx_account_id
    from accounts
    group by source_relation
),

resolved as (
    select
        c.source_relation,
        case when c.source_relation = '' then '1' else c.source_relation end as subsidiary_id,
        case
            {%- for relation, code in entities.items() %}
            when c.source_relation = '{{ relation }}' then '{{ code | upper }}'
            {%- endfor %}
            when c.source_relation <> '' then upper(c.source_relation)
            else {% if var('quickbooks_legal_entity', none) %}'{{ var('quickbooks_legal_entity') | upper }}'{% else %}cast(null as {{ dbt.type_string() }}){% endif %}
        end as legal_entity_code,
        {% if var('quickbooks_country', none) %}'{{ var('quickbooks_country') | upper }}'{% else %}cast(null as {{ dbt.type_string() }}){% endif %} as country_code,
        coalesce(
            {% if var('quickbooks_home_currency', none) %}'{{ var('quickbooks_home_currency') | upper }}'{% else %}cast(null as {{ dbt.type_string() }}){% endif %},
            cc.currency_code,
            'USD'
        ) as home_currency_code,
        d.ar_account_id,
        d.undeposited_account_id,
        d.tax_account_id,
        d.fx_account_id
    from companies as c
    left join chart_currency as cc on c.source_relation = cc.source_relation
    left join defaults as d on c.source_relation = d.source_relation
),

base as (
    select min(source_relation) as source_relation
    from (
        select
            source_relation,
            dense_rank() over (
                order by case when home_currency_code = '{{ var("reporting_currency") }}' then 0 else 1 end
            ) as rk
        from resolved
    ) as r
    where rk = 1
)

select
    r.*,
    r.source_relation = b.source_relation as is_base_company
from resolved as r
cross join base as b
