"""What adcli builds on derivatives: comparisons of methods, the step-size scan,
expression swell, Jacobians and Hessians, the tape as the textbook draws it."""
