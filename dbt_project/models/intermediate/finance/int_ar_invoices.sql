{#- AR documents that open a receivable: customer invoices (voided ones excluded), with the original amount
    (header total incl. tax, transaction currency), due date and entity; the conformed client (from the ERP
    customer, else the PSA project's client; '-1' unresolved), the conformed project (the header's PSA
    project when it exists in PSA) and contract (that project's ERP sales order, int_psa_project_context) and whether the customer is one of the
    group's own entities (intercompany: excluded from DSO, kept in the AR subledger). The AR as-of logic (ar v1) starts
    here, never from NetSuite's current amount unpaid. -#}

with invoices as (
    select * from {{ throughline.erp_input('transactions') }}
    where transaction_type = 'invoice'
        and not coalesce(is_voided, false)
        and coalesce(status, '') <> 'voided'
),

first_lines as (
    {{ transaction_subsidiaries() }}
),

entities as (
    select legal_entity_key, erp_subsidiary_id, functional_currency_code
    from {{ ref('int_legal_entities_resolved') }}
),

currencies as (
    select currency_id, currency_code from {{ throughline.erp_input('currencies') }}
),

customers as (
    select customer_id, is_intercompany from {{ throughline.erp_input('customers') }}
),

clients_by_erp as (
    select erp_customer_id, client_key from {{ ref('int_clients_matched') }} where erp_customer_id is not null
),

projects as (
    select psa_project_id, contract_key from {{ ref('int_psa_project_context') }}
),

clients_by_psa as (
    select p.project_id, m.client_key
    from {{ throughline.psa_input('projects') }} as p
    inner join {{ ref('int_clients_matched') }} as m on p.client_id = m.psa_client_id
)

select
    i.transaction_id as invoice_transaction_id,
    i.transaction_number as invoice_number,
    i.entity_id as erp_customer_id,
    coalesce(ce.client_key, cp.client_key, '-1') as client_key,
    coalesce(cu.is_intercompany, false) as is_intercompany,
    i.psa_project_id,
    coalesce(pr.psa_project_id, '-1') as project_key,
    coalesce(pr.contract_key, '-1') as contract_key,
    fl.subsidiary_id as erp_subsidiary_id,
    coalesce(e.legal_entity_key, '-1') as legal_entity_key,
    coalesce(e.functional_currency_code, '-1') as entity_currency_code,
    coalesce(c.currency_code, '-1') as transaction_currency_code,
    i.transaction_date as invoice_date,
    coalesce(i.due_date, i.transaction_date) as due_date,
    i.due_date is null as is_due_date_defaulted,
    i.total_amount as original_amount,
    i.tax_amount
from invoices as i
left join first_lines as fl on i.transaction_id = fl.transaction_id
left join entities as e on fl.subsidiary_id = e.erp_subsidiary_id
left join currencies as c on i.currency_id = c.currency_id
left join customers as cu on i.entity_id = cu.customer_id
left join clients_by_erp as ce on i.entity_id = ce.erp_customer_id
left join clients_by_psa as cp on i.psa_project_id = cp.project_id
left join projects as pr on i.psa_project_id = pr.psa_project_id
