"""Report labeler: Open-i reports repeated to MIMIC-CXR's 227,827, on one core (target: at least 5,000 reports/s)."""
import time

def run(n=227_827, target=5000.0):
    from cxr_nb.openi import read_openi
    from cxr_nb.labeler import label_report
    from cxr_nb.labeler_validation import naive_label
    o = read_openi()
    base = ('FINDINGS: ' + o.findings + '\nIMPRESSION: ' + o.impression).tolist()
    texts = (base*(n//len(base) + 1))[:n]
    t0 = time.perf_counter()
    for t in texts: label_report(t)
    secs = time.perf_counter() - t0
    t0 = time.perf_counter()
    for t in texts[:20000]: naive_label(t)
    naive_rate = 20000/(time.perf_counter() - t0)
    rate = n/secs
    res = dict(reports=n, seconds=round(secs, 1), reports_per_s=round(rate), naive_baseline_reports_per_s=round(naive_rate),
               target_reports_per_s=target, meets_target=rate >= target)
    print(f"  {n} reports in {secs:.1f} s = {rate:.0f} reports/s on one core (naive keyword baseline: {naive_rate:.0f}/s); "
          f"target {target:.0f}/s: {'met' if rate >= target else 'NOT met'}")
    return res
