#!/usr/bin/env node
/**
 * The CDK app entry: `cdk synth` / `cdk deploy` run it (cdk.json "app"). Offline: no AWS calls,
 * no context lookups; the stage comes from `-c stage=dev|prod` (default dev).
 */
import { createApp } from '../src/app.js';

createApp().app.synth();
