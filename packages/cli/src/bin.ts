#!/usr/bin/env node
import { buildProgram } from './program';
import { describeFailure, isUserError, toError } from '@wms/core';

buildProgram()
  .parseAsync(process.argv)
  .then(() => process.exit(process.exitCode ?? 0))
  .catch((thrown: unknown) => {
    process.stderr.write(`error: ${describeFailure(thrown)}\n`);
    if (!isUserError(thrown) && process.env.WMS_DEBUG === '1') process.stderr.write(`${toError(thrown).stack}\n`);
    process.exit(1);
  });
