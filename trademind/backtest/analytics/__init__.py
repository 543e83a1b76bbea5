"""What a run's equity curve and trades measure: metrics, Sharpe statistics, Monte Carlo
resampling, period returns, and the HTML report drawn from them. Pure functions of arrays:
no engine, no database."""
