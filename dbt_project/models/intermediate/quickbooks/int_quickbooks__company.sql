{#- The QuickBooks company (realm) as one legal entity, and the default accounts QuickBooks posts to when a
    document does not name one (as QuickBooks and Fivetran's dbt_quickbooks do): the receivable account (the
    first active Accounts Receivable account), undeposited funds for payments without a deposit account, and
    the sales tax payable account, and exchange gain or loss for what a foreign payment settles at another
    rate than the invoice's. Home currency: var quickbooks_home_currency, else the currency most accounts
    of the chart are kept in (a company's chart is in its home currency except its foreign bank and AR
    accounts), else USD. -#}

with accounts as (
    select * from {{ ref('stg_quickbooks__accounts') }}
),

chart_currency as (
    select currency_code
    from accounts
    where currency_code is not null
    group by currency_code
    order by count(*) desc, currency_code asc
    limit 1
),

defaults as (
    select
        min(case when account_type = 'Accounts Receivable' and coalesce(is_active, true) then account_id end)
            as ar_account_id,
        min(case when account_sub_type = 'UndepositedFunds' then account_id end) as undeposited_account_id,
        min(case when account_sub_type in ('GlobalTaxPayable', 'SalesTaxPayable') then account_id end)
            as tax_account_id,
        min(case when account_sub_type = 'ExchangeGainOrLoss' then account_id end) as fx_account_id
    from accounts
)

select
    '1' as subsidiary_id,
    {% if var('quickbooks_legal_entity', none) %}'{{ var('quickbooks_legal_entity') | upper }}'{% else %}cast(null as {{ dbt.type_string() }}){% endif %} as legal_entity_code,
    {% if var('quickbooks_country', none) %}'{{ var('quickbooks_country') | upper }}'{% else %}cast(null as {{ dbt.type_string() }}){% endif %} as country_code,
    coalesce(
        {% if var('quickbooks_home_currency', none) %}'{{ var('quickbooks_home_currency') | upper }}'{% else %}cast(null as {{ dbt.type_string() }}){% endif %},
        (select currency_code from chart_currency),
        'USD'
    ) as home_currency_code,
    d.ar_account_id,
    d.undeposited_account_id,
    d.tax_account_id,
    d.fx_account_id
from defaults as d
