-- The QuickBooks chart of accounts as canonical accounts (the columns of stg_netsuite__accounts): one row per
-- canonical account (int_quickbooks__keys: a chart the companies share is one account); QuickBooks' account type
-- (and, for liabilities, detail type) decoded to the canonical account_type; account_type_code keeps QuickBooks'
-- type, special_account_type its detail type. QuickBooks has no general rate type (null: the marts translate
-- income-statement accounts at the average rate, the others at the closing rate).
with keys as (
    select * from {{ ref('int_quickbooks__keys') }} where entity = 'account'
)

select
    k.record_key as account_id,
    a.account_number,
    coalesce(a.fully_qualified_name, a.account_name) as account_name,
    a.account_type as account_type_code,
    case
        when a.account_type = 'Accounts Receivable' then 'accounts_receivable'
        when a.account_type = 'Bank' then 'bank'
        when a.account_type = 'Other Current Asset' then 'other_current_asset'
        when a.account_type = 'Fixed Asset' then 'fixed_asset'
        when a.account_type = 'Other Asset' then 'other_asset'
        when a.account_type = 'Accounts Payable' then 'accounts_payable'
        when a.account_type = 'Credit Card' then 'credit_card'
        when a.account_type = 'Other Current Liability'
            and a.account_sub_type in ('DeferredRevenue', 'UnearnedRevenue') then 'deferred_revenue'
        when a.account_type = 'Other Current Liability' then 'other_current_liability'
        when a.account_type = 'Long Term Liability' then 'long_term_liability'
        when a.account_type = 'Equity' then 'equity'
        when a.account_type = 'Income' then 'income'
        when a.account_type = 'Other Income' then 'other_income'
        when a.account_type = 'Cost of Goods Sold' then 'cost_of_goods_sold'
        when a.account_type = 'Expense' then 'expense'
        when a.account_type = 'Other Expense' then 'other_expense'
        else nullif(replace(lower(trim(a.account_type)), ' ', '_'), '')
    end as account_type,
    a.account_sub_type as special_account_type,
    cast(null as {{ dbt.type_string() }}) as general_rate_type,
    false as is_eliminated,
    false as is_summary,
    not coalesce(a.is_active, true) as is_inactive,
    coalesce(p.record_key, a.parent_account_id) as parent_account_id,
    a.modified_at,
    'quickbooks' as source_system,
    a._source_file,
    a._source_row,
    a._loaded_at
from {{ ref('stg_quickbooks__accounts') }} as a
inner join keys as k on a.source_relation = k.source_relation and a.account_id = k.source_id and k.is_primary
left join keys as p on a.source_relation = p.source_relation and a.parent_account_id = p.source_id
