// Reconstructed from the excerpts quoted in seeds/001_ebaf4057dd6ad26f.txt and
// seeds/004_4b7d8f7c442cb270.report.md (rancher-desktop-daemon PR #280).
package controller

func (r *LimaVMReconciler) handleRestartNeeded(ctx context.Context, limaVM *v1alpha1.LimaVM, phase instancePhase) (ctrl.Result, error) {
	logger := log.FromContext(ctx)

	switch phase {
	case phaseRunning:
		logger.Info("Restart needed: stopping running instance")
		r.shutdownHostagent(ctx, limaVM.Name, nil)
		r.stopWatcher(limaVM.Name)

		// Clear restartNeeded and set Stopped condition in one write.
		// This is inlined (rather than calling stopInstance) so both changes
		// land in a single patch — stopInstance's updateCondition would take
		// its own DeepCopy and miss the RestartNeeded change.
		patch := client.MergeFrom(limaVM.DeepCopy())
		limaVM.Status.RestartNeeded = false
		r.setCondition(limaVM, ConditionRunning, metav1.ConditionFalse, ReasonStopped, "Stopped for restart")
		return ctrl.Result{}, r.Status().Patch(ctx, limaVM, patch)
	}
	return ctrl.Result{}, nil
}

func (r *LimaVMReconciler) startInstance(ctx context.Context, limaVM *v1alpha1.LimaVM, inst *limatype.Instance) (ctrl.Result, error) {
	logger := log.FromContext(ctx)

	// Start the host-switch virtual network for WSL2 instances. This must
	// happen before the hostagent starts, because the guest's
	// network-setup.service performs a vsock handshake during early boot.
	r.startHostSwitch(ctx, limaVM.Name, inst)

	// Start hostagent in background.
	haCmd := exec.CommandContext(ctx, rddPath, args...)
	process.SetGroup(haCmd)
	haCmd.Stdout = haStdoutW
	haCmd.Stderr = haStderrW

	if err := haCmd.Start(); err != nil {
		logger.Error(err, "Failed to start hostagent")
		r.stopHostSwitch(limaVM.Name)
		if updateErr := r.updateCondition(ctx, limaVM, ConditionRunning, metav1.ConditionFalse, ReasonStartFailed, err.Error()); updateErr != nil {
			logger.Error(updateErr, "Failed to update status after hostagent start failure")
		}
		return ctrl.Result{}, err
	}

	// Wait for PID file to be created (indicates hostagent has started)
	if err := r.waitForPIDFile(haPIDPath, haStderrPath); err != nil {
		logger.Error(err, "Hostagent did not start")
		r.stopHostSwitch(limaVM.Name)
		if updateErr := r.updateCondition(ctx, limaVM, ConditionRunning, metav1.ConditionFalse, ReasonStartFailed, err.Error()); updateErr != nil {
			logger.Error(updateErr, "Failed to update status after hostagent startup failure")
		}
		return ctrl.Result{}, err
	}
	return ctrl.Result{}, nil
}
