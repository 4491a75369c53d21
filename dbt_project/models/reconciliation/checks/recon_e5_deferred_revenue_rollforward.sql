{#- E5: a transaction that moves the deferred revenue account without a subledger document behind it
    (int_erp_control_postings_classified), net of its own lines by more than var recon_e5_tolerance:
    beginning + deferrals - releases no longer equals the GL deferred revenue balance from that date on. -#}
{{ throughline.recon_unbacked_control_postings('E5', 'deferred_revenue', 'recon_e5_tolerance') }}
