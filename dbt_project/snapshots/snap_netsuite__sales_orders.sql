{#- History of NetSuite sales orders (the ERP contract): NetSuite overwrites the header when a contract is
    amended, so value, dates, NTE and status are kept as type-2 rows on lastmodifieddate. -#}
{% snapshot snap_netsuite__sales_orders %}
{{ config(
    unique_key='transaction_id',
    strategy='timestamp',
    updated_at='modified_at',
    hard_deletes='invalidate'
) }}
select
    transaction_id,
    transaction_number,
    entity_id as erp_customer_id,
    currency_id,
    status,
    total_amount,
    contract_type,
    nte_amount,
    contract_start_date,
    contract_end_date,
    parent_contract_transaction_id,
    crm_opportunity_id,
    psa_project_id,
    psa_change_order_id,
    coalesce(modified_at, _loaded_at) as modified_at
from {{ throughline.erp_input('transactions') }}
where transaction_type = 'sales_order'
{% endsnapshot %}
