{#- Every NetSuite transaction header with what an ERP reconciliation break needs to be routed and priced:
    the subsidiary of its main line, conformed legal entity, client (ERP customer, else the PSA project's
    client) and project keys, transaction currency code and the spot rate of the transaction date to the
    reporting currency. Keys are '-1' when unresolved, like the marts. -#}
with headers as (
    select * from {{ throughline.erp_input('transactions') }}
),

first_lines as (
    {{ throughline.transaction_subsidiaries() }}
),

entities as (
    select legal_entity_key, erp_subsidiary_id, functional_currency_code
    from {{ ref('int_legal_entities_resolved') }}
),

currencies as (
    select currency_id, currency_code from {{ throughline.erp_input('currencies') }}
),

clients_by_erp as (
    select erp_customer_id, client_key from {{ ref('int_clients_matched') }} where erp_customer_id is not null
),

projects as (
    select psa_project_id, client_key from {{ ref('int_psa_project_context') }}
),

resolved as (
    select
        h.transaction_id,
        h.transaction_number,
        h.transaction_type,
        h.transaction_date,
        h.accounting_period_id,
        h.entity_id,
        h.intercompany_transaction_id,
        h.exchange_rate,
        h.total_amount,
        h.tax_amount,
        coalesce(h.is_voided, false) or coalesce(h.status, '') = 'voided' as is_voided,
        fl.subsidiary_id as erp_subsidiary_id,
        coalesce(e.legal_entity_key, '-1') as legal_entity_key,
        coalesce(e.functional_currency_code, '-1') as entity_currency_code,
        coalesce(c.currency_code, '-1') as transaction_currency_code,
        coalesce(ce.client_key, pr.client_key, '-1') as client_key,
        coalesce(pr.psa_project_id, '-1') as project_key
    from headers as h
    left join first_lines as fl on h.transaction_id = fl.transaction_id
    left join entities as e on fl.subsidiary_id = e.erp_subsidiary_id
    left join currencies as c on h.currency_id = c.currency_id
    left join clients_by_erp as ce on h.entity_id = ce.erp_customer_id
    left join projects as pr on h.psa_project_id = pr.psa_project_id
)

select
    r.*,
    {{ throughline.fx_rate_to_reporting('fx_t', 'r.transaction_currency_code') }} as transaction_rate_to_reporting,
    {{ throughline.fx_rate_to_reporting('fx_e', 'r.entity_currency_code') }} as entity_rate_to_reporting
from resolved as r
{{ throughline.join_spot_rate_to_reporting('fx_t', 'r.transaction_currency_code', 'r.transaction_date') }}
{{ throughline.join_spot_rate_to_reporting('fx_e', 'r.entity_currency_code', 'r.transaction_date') }}
