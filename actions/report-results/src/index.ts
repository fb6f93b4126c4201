import { runAction } from '@wms/core/action';
import { runReportResultsAction } from './main';
import { spec } from './spec';

void runAction(spec, (inputs, ctx) => runReportResultsAction(inputs, ctx));
