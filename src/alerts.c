/* alerts.c: the standard normal distribution for exlink's early-warning alerts (exlink.alerts). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "postgres.h"

#include <math.h>

#include <gsl/gsl_cdf.h>

#include "fmgr.h"

/*
 * The alerts (sql/parts/70_alerts.sql) are computed in SQL from released cells; they need only
 * the normal distribution function and its inverse, which PostgreSQL lacks.  GSL's are accurate
 * in the tails (gsl_cdf_ugaussian_P(-8) = 6.2e-16, not 0), as R's pnorm and qnorm, so two-sided
 * p-values of large |z| keep their relative precision for Benjamini-Hochberg.
 */

PG_FUNCTION_INFO_V1(exlink_normal_cdf);
Datum
exlink_normal_cdf(PG_FUNCTION_ARGS)
{
	double		z = PG_GETARG_FLOAT8(0);

	if (isnan(z))
		PG_RETURN_FLOAT8(z);
	PG_RETURN_FLOAT8(gsl_cdf_ugaussian_P(z));
}

PG_FUNCTION_INFO_V1(exlink_normal_quantile);
Datum
exlink_normal_quantile(PG_FUNCTION_ARGS)
{
	double		p = PG_GETARG_FLOAT8(0);

	if (!(p > 0.0 && p < 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("probability must be between 0 and 1, exclusive"),
				 errdetail("The normal quantile is finite only inside (0, 1).")));
	PG_RETURN_FLOAT8(gsl_cdf_ugaussian_Pinv(p));
}
