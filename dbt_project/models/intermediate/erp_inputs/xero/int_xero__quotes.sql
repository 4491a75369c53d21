-- Accepted Xero quotes as contracts, the canonical sales orders (helper of the erp_inputs mapping). A quote whose
-- status is ACCEPTED, or INVOICED (Xero's status once an invoice is made from it), is the firm's contract, as a
-- NetSuite sales order is; DRAFT, SENT, DECLINED and DELETED quotes are not. Xero has no custom fields on a
-- quote, so a firm fills in: reference = the CRM opportunity id (Xero copies it to the invoices made from the
-- quote, which is how an invoice names its contract), title = the PSA project code, terms = the contract type;
-- the expiry date is the contract end. A later contract quote with the same reference in the same organisation
-- amends the first one (by date, then id). The contact is the canonical one (int_xero__shared_records);
-- exchange_rate = base currency per unit of the quote currency (1 / Xero's currency_rate). Status as the
-- canonical sales order has it (closed for INVOICED, else paid_in_full: NetSuite's closed C / running B).
with quotes as (
    select * from {{ ref('stg_xero__quotes') }} where status in ('ACCEPTED', 'INVOICED')
),

projects as (
    select project_code, min(project_id) as project_id
    from {{ throughline.psa_input('projects') }}
    where project_code is not null
    group by project_code
),

ranked as (
    select
        q.*,
        row_number() over (
            partition by q.source_relation, q.reference order by q.quote_date, q.quote_id
        ) as reference_rank,
        first_value(q.quote_id) over (
            partition by q.source_relation, q.reference order by q.quote_date, q.quote_id
            rows between unbounded preceding and unbounded following
        ) as first_with_reference
    from quotes as q
)

select
    r.quote_id as transaction_id,
    r.quote_number as transaction_number,
    r.status as status_code,
    case r.status when 'INVOICED' then 'closed' else 'paid_in_full' end as status,
    r.quote_date as transaction_date,
    r.expiry_date as contract_end_date,
    r.currency_code,
    r.currency_rate,
    coalesce(s.canonical_id, r.contact_id) as contact_id,
    o.subsidiary_id,
    r.reference,
    r.reference as crm_opportunity_id,
    p.project_id as psa_project_id,
    r.terms as contract_type_code,
    r.contract_type,
    r.total,
    r.total_tax,
    r.line_amount_types,
    case when r.reference is not null and r.reference_rank > 1 then r.first_with_reference end
        as parent_contract_transaction_id,
    r.source_relation,
    r.modified_at,
    r._source_file,
    r._source_row,
    r._extract_date,
    r._loaded_at
from ranked as r
inner join {{ ref('int_xero__organisation') }} as o on o.source_relation = r.source_relation
left join {{ ref('int_xero__shared_records') }} as s on s.record_type = 'contact' and s.record_id = r.contact_id
left join projects as p on p.project_code = r.title
