-- The QuickBooks chart of accounts as canonical accounts (the columns of stg_netsuite__accounts): QuickBooks'
-- account type (and, for liabilities, detail type) decoded to the canonical account_type; account_type_code
-- keeps QuickBooks' type, special_account_type its detail type. QuickBooks has no general rate type (null:
-- the marts translate income-statement accounts at the average rate, the others at the closing rate).
select
    account_id,
    account_number,
    coalesce(fully_qualified_name, account_name) as account_name,
    account_type as account_type_code,
    case
        when account_type = 'Accounts Receivable' then 'accounts_receivable'
        when account_type = 'Bank' then 'bank'
        when account_type = 'Other Current Asset' then 'other_current_asset'
        when account_type = 'Fixed Asset' then 'fixed_asset'
        when account_type = 'Other Asset' then 'other_asset'
        when account_type = 'Accounts Payable' then 'accounts_payable'
        when account_type = 'Credit Card' then 'credit_card'
        when account_type = 'Other Current Liability'
            and account_sub_type in ('DeferredRevenue', 'UnearnedRevenue') then 'deferred_revenue'
        when account_type = 'Other Current Liability' then 'other_current_liability'
        when account_type = 'Long Term Liability' then 'long_term_liability'
        when account_type = 'Equity' then 'equity'
        when account_type = 'Income' then 'income'
        when account_type = 'Other Income' then 'other_income'
        when account_type = 'Cost of Goods Sold' then 'cost_of_goods_sold'
        when account_type = 'Expense' then 'expense'
        when account_type = 'Other Expense' then 'other_expense'
        else nullif(replace(lower(trim(account_type)), ' ', '_'), '')
    end as account_type,
    account_sub_type as special_account_type,
    cast(null as {{ dbt.type_string() }}) as general_rate_type,
    false as is_eliminated,
    false as is_summary,
    not coalesce(is_active, true) as is_inactive,
    parent_account_id,
    modified_at,
    'quickbooks' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from {{ ref('stg_quickbooks__accounts') }}
